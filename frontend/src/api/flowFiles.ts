/** Flow documents as files: download a flow's export, read an uploaded one for import. */
import { flowsApi } from "./flows";
import type { FlowDocument } from "./types";

/** A file name people recognise: the flow's name, made safe for every file system. */
export function exportFileName(name: string): string {
  const safe = name.trim().replace(/[^\p{L}\p{N}._ -]+/gu, "").replace(/\s+/g, "-").slice(0, 80);
  return `${safe || "flow"}.switchboard.json`;
}

export async function downloadFlowDocument(flowId: string, name: string): Promise<void> {
  const document = await flowsApi.export(flowId);
  const blob = new Blob([JSON.stringify(document, null, 2) + "\n"], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = window.document.createElement("a");
  link.href = url;
  link.download = exportFileName(name);
  link.click();
  URL.revokeObjectURL(url);
}

/** The document in an uploaded file; a readable error when it is not a flow document at all. */
export async function readFlowFile(file: File): Promise<FlowDocument> {
  const text = await readText(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file.name} is not a JSON file.`);
  }
  if (typeof parsed !== "object" || parsed === null || !Array.isArray((parsed as FlowDocument).nodes)) {
    throw new Error(`${file.name} is not a flow document (it has no "nodes" list).`);
  }
  return parsed as FlowDocument;
}

function readText(file: File): Promise<string> {
  // FileReader rather than Blob.text(): it is what every browser (and jsdom, in the tests) has.
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(new Error(`${file.name} could not be read.`));
    reader.readAsText(file);
  });
}
