import { fireEvent, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import type { ProblemItem } from "../api/types";
import { prepareConfigSchema } from "./configSchema";
import type { ContextPath } from "./contextPaths";
import { NodeConfigForm } from "./NodeConfigForm";
import { nodeType } from "./nodeTypes.fixture";

/** The form with its config held like the editor holds it; `changes` records every config written. */
function Harness({ type, initial = {}, problems, paths }: { type: string; initial?: Record<string, unknown>; problems?: ProblemItem[]; paths?: ContextPath[] }) {
  const [config, setConfig] = useState(initial);
  return (
    <>
      <NodeConfigForm
        nodeType={nodeType(type)}
        config={config}
        problems={problems}
        paths={paths}
        onChange={(next) => {
          changes.push(next);
          setConfig(next);
        }}
      />
      <output data-testid="config">{JSON.stringify(config)}</output>
    </>
  );
}

let changes: Record<string, unknown>[] = [];
const shownConfig = () => JSON.parse(screen.getByTestId("config").textContent ?? "{}") as Record<string, unknown>;

describe("the node config form generated from a JSON Schema", () => {
  it("labels fields by their schema titles, marks required ones and shows help text", () => {
    changes = [];
    render(<Harness type="action.http" />);
    const url = screen.getByLabelText("Url");
    expect(url).toBeInTheDocument();
    expect(url.closest(".form-field")).toHaveTextContent(/^Url\*/);
    expect(screen.getByText(/The address to call; may hold \{\{ templates \}\}/)).toBeInTheDocument();
    expect(screen.getByLabelText("Method")).toBeInTheDocument();
  });

  it("shows defaults without writing them until something is edited", () => {
    changes = [];
    render(<Harness type="action.http" initial={{ url: "https://example.com" }} />);
    expect(screen.getByLabelText("Method")).toHaveDisplayValue("GET");
    expect(changes).toEqual([]);
  });

  it("renders enums as dropdowns and writes the choice", async () => {
    changes = [];
    render(<Harness type="action.http" initial={{ url: "https://example.com" }} />);
    const method = screen.getByLabelText("Method");
    expect(within(method).getAllByRole("option").map((option) => option.textContent)).toEqual(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]);
    await userEvent.selectOptions(method, "POST");
    expect(shownConfig()).toMatchObject({ url: "https://example.com", method: "POST" });
  });

  it("drops an optional value that is cleared instead of writing an empty string", async () => {
    changes = [];
    render(<Harness type="action.email" initial={{ to: "a@example.com", subject: "Hi", text: "Hello", cc: "b@example.com" }} />);
    await userEvent.clear(screen.getByLabelText("Cc"));
    expect(shownConfig()).not.toHaveProperty("cc");
  });

  it("edits a text-or-list value as text", () => {
    changes = [];
    render(<Harness type="action.email" initial={{ to: ["a@example.com", "b@example.com"], subject: "Hi", text: "Hello" }} />);
    expect(screen.getByLabelText("To")).toHaveValue("a@example.com, b@example.com");
  });

  it("inserts a {{ path }} from the path picker into a template field", async () => {
    changes = [];
    const paths: ContextPath[] = [{ path: "trigger.body.customer.email", group: "Trigger", preview: '"a@example.com"' }];
    render(<Harness type="action.email" initial={{ subject: "Order from " }} paths={paths} />);
    const subject = screen.getByLabelText("Subject");
    const field = subject.closest(".form-field") as HTMLElement;
    await userEvent.click(within(field).getByRole("button", { name: "Insert a value from earlier steps" }));
    await userEvent.click(screen.getByRole("button", { name: "Insert trigger.body.customer.email" }));
    expect(shownConfig().subject).toBe("Order from {{ trigger.body.customer.email }}");
  });

  it("builds conditions with the condition builder and writes JsonLogic", async () => {
    changes = [];
    render(<Harness type="transform.filter" />);
    const condition = screen.getByRole("group", { name: "Condition" });
    await userEvent.click(within(condition).getByRole("button", { name: "Add rule" }));
    fireEvent.change(within(condition).getByLabelText("Field"), { target: { value: "input.total" } });
    await userEvent.selectOptions(within(condition).getByLabelText("Operator"), ">");
    fireEvent.change(within(condition).getByLabelText("Value"), { target: { value: "100" } });
    expect(shownConfig().condition).toEqual({ ">": [{ var: "input.total" }, 100] });
  });

  it("shows a condition the builder cannot hold as raw JsonLogic", () => {
    changes = [];
    render(<Harness type="transform.filter" initial={{ condition: { exists: "input.email" } }} />);
    expect(screen.getByLabelText("Condition as JsonLogic")).toHaveValue(JSON.stringify({ exists: "input.email" }, null, 2));
    expect(screen.getByRole("tab", { name: "Builder" })).toBeDisabled();
  });

  it("edits map fields as named expressions", async () => {
    changes = [];
    render(<Harness type="transform.map" initial={{ fields: { email: "{{ input.email }}", total: { var: "input.total" } } }} />);
    expect(screen.getByLabelText("Fields value email")).toHaveValue("{{ input.email }}");
    expect(screen.getByLabelText("Fields value total")).toHaveValue(JSON.stringify({ var: "input.total" }, null, 2));
    await userEvent.click(screen.getByRole("button", { name: "Add field" }));
    expect(Object.keys(shownConfig().fields as object)).toEqual(["email", "total", "field_3"]);
  });

  it("keeps the retry policy collapsed under Advanced and writes it only when asked", async () => {
    changes = [];
    render(<Harness type="action.http" initial={{ url: "https://example.com" }} />);
    const advanced = screen.getByText("Advanced").closest("details")!;
    expect(advanced).not.toHaveAttribute("open");
    await userEvent.click(screen.getByText("Advanced"));
    await userEvent.click(screen.getByLabelText("Custom retry policy"));
    expect(shownConfig().retry).toEqual({ max_attempts: 1, backoff: "exponential", base_seconds: 1, max_seconds: 300 });
    await userEvent.click(screen.getByLabelText("Custom retry policy"));
    expect(shownConfig()).not.toHaveProperty("retry");
  });

  it("shows the server's problems by the fields they are about", () => {
    changes = [];
    render(
      <Harness
        type="action.email"
        problems={[
          { node: "mail", field: "config.to", message: "'to' is required" },
          { node: "mail", field: "config.subject", message: "Too long." },
        ]}
      />,
    );
    expect(screen.getByLabelText("To").closest(".form-field")).toHaveTextContent("'to' is required");
    expect(screen.getByLabelText("Subject").closest(".form-field")).toHaveTextContent("Too long.");
  });
});

describe("preparing a config schema", () => {
  it("takes out retry, collapses optional values and maps the editor hints", () => {
    const prepared = prepareConfigSchema(nodeType("action.http").config_schema);
    const properties = prepared.schema.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(properties)).not.toContain("retry");
    expect(prepared.retrySchema).toMatchObject({ type: "object", properties: { max_attempts: { type: "integer" } } });
    expect(properties.timeout).toMatchObject({ type: "number", maximum: 300 });
    expect(properties.timeout).not.toHaveProperty("anyOf");
    expect(prepared.widgets).toMatchObject({ url: "template", json: "expression", headers: "expressionMap", query: "expressionMap", body: "template" });
    expect(prepareConfigSchema(nodeType("transform.filter").config_schema).widgets).toEqual({ condition: "condition" });
  });

  it("guesses editors for schemas without hints", () => {
    const prepared = prepareConfigSchema({
      type: "object",
      properties: { condition: { title: "Condition" }, sample: { title: "Sample" }, payload: { title: "Payload" }, fields: { type: "object", additionalProperties: true } },
    });
    expect(prepared.widgets).toEqual({ condition: "condition", sample: "json", payload: "expression", fields: "expressionMap" });
  });
});

vi.stubGlobal("requestAnimationFrame", (callback: FrameRequestCallback) => setTimeout(() => callback(0), 0));
