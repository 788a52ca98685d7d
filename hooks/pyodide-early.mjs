// Start Pyodide while the page is still being parsed, and give PyScript that same interpreter.
// Copied beside pyodide.mjs by hooks/runtime.py (PyScript takes the interpreter's directory as Pyodide's
// indexURL). The page loads this module with <script type="module" async> in its head, so the download
// and WebAssembly compilation of the runtime overlap the parsing of the page and Material's start-up,
// instead of beginning only when PyScript runs after them. PyScript's config names this file as the
// interpreter; its loadPyodide() returns the interpreter already on its way (one module instance per URL).
import { loadPyodide as load, version } from "./pyodide.mjs";

const early = load({ indexURL: new URL(".", import.meta.url).href });

export { version };

export async function loadPyodide(options) {
  const pyodide = await early;
  // PyScript routes Python's output through its own handlers (its error display among them).
  if (options && options.stdout) pyodide.setStdout({ batched: options.stdout });
  if (options && options.stderr) pyodide.setStderr({ batched: options.stderr });
  return pyodide;
}
