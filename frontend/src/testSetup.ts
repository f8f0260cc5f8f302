/** Vitest set-up: DOM matchers, a clean DOM after each test, and what jsdom lacks of the browser. */
import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => cleanup());

// jsdom's Blob (and so File) has no `text()`, which every browser has: read it the older way.
if (typeof Blob.prototype.text !== "function") {
  Blob.prototype.text = function text(this: Blob) {
    return new Promise<string>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
      reader.readAsText(this);
    });
  };
}
