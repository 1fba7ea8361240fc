// Compiles every .py under a folder into __pycache__/*.cpython-3XX.pyc with CPython itself,
// in the version the Lambda runs: Pyodide is CPython compiled to WebAssembly, so Node runs
// it here without that Python installed (infra/lambda_package.py says why).
//
//   node infra/compile_bytecode.mjs FOLDER PYTHON_VERSION
//
// The .pyc files are hash-based and checked (PEP 552): Python compares the source's hash at
// import and compiles again if they differ, whatever the files' times in the zip. Exits 1,
// writing nothing, if Pyodide's CPython is not PYTHON_VERSION.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadPyodide } from "pyodide";

const [folder, wanted] = process.argv.slice(2);
if (!folder || !wanted) {
  console.error("usage: node infra/compile_bytecode.mjs FOLDER PYTHON_VERSION");
  process.exit(2);
}

function refuseUnless(version) {
  if (version !== wanted) {
    console.error(`Pyodide runs CPython ${version}, the Lambda ${wanted}: pin a Pyodide of ${wanted}`);
    process.exit(1);
  }
}

// Pyodide's lock names its CPython: a mismatch is refused before the seconds of CPU that
// loading Pyodide takes. The interpreter loaded is asked too.
const lock = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve("pyodide/pyodide-lock.json"), "utf8"),
);
refuseUnless(lock.info.python.split(".").slice(0, 2).join("."));
const python = await loadPyodide();
refuseUnless(
  python.runPython("import sys; f'{sys.version_info.major}.{sys.version_info.minor}'"),
);
python.mountNodeFS("/asset", folder);
const compiled = python.runPython(`
import compileall
from py_compile import PycInvalidationMode

compileall.compile_dir(
    "/asset", quiet=1, workers=1, invalidation_mode=PycInvalidationMode.CHECKED_HASH
)
`);
if (!compiled) {
  console.error(`a file under ${folder} does not compile`);
  process.exit(1);
}
