// Build step (run by hooks/runtime.py): turn the app zip's Python sources into Python 3.14 bytecode,
// compiled by the very Pyodide the site ships, so the browser imports our modules without compiling them.
// The zip then holds sourceless module.pyc files (optimize=2: no docstrings), which is also smaller.
// Usage: node hooks/precompile.mjs PYODIDE_DIR IN.zip OUT.zip
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, source, target] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + "/" });
py.FS.writeFile("/tmp/in.zip", readFileSync(source));
py.runPython(`
import os, py_compile, zipfile
# Unchecked hash-based pycs (PEP 552): never compared with a source file's mtime.
mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
with zipfile.ZipFile("/tmp/in.zip") as src, zipfile.ZipFile("/tmp/out.zip", "w", zipfile.ZIP_DEFLATED) as out:
    for info in src.infolist():
        data = src.read(info)
        if not info.filename.endswith(".py"):
            out.writestr(info, data)
            continue
        path = "/tmp/src/" + info.filename
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            fh.write(data)
        cfile = py_compile.compile(path, cfile=path + "c", dfile=info.filename, doraise=True,
                                   invalidation_mode=mode, optimize=2)
        with open(cfile, "rb") as fh:
            out.writestr(zipfile.ZipInfo(info.filename + "c", date_time=info.date_time), fh.read(),
                         zipfile.ZIP_DEFLATED, compresslevel=9)
`);
writeFileSync(target, py.FS.readFile("/tmp/out.zip"));
