// Compiles every .py under a folder into __pycache__/*.cpython-3XX.pyc with CPython itself,
// in the version the Lambda runs: Pyodide is CPython compiled to WebAssembly, so Node runs
// it here without that Python installed (infra/lambda_package.py says why).
//
//   node infra/compile_bytecode.mjs FOLDER PYTHON_VERSION
//
// The .pyc files are hash-based and checked (PEP 552): Python compares the source's hash at
// import and compiles again if they differ, whatever the files' times in the zip. Exits 1,
// writing nothing, if Pyodide's CPython is not PYTHON_VERSION.
import { loadPyodide } from "pyodide";

const [folder, wanted] = process.argv.slice(2);
if (!folder || !wanted) {
  console.error("usage: node infra/compile_bytecode.mjs FOLDER PYTHON_VERSION");
  process.exit(2);
}
const python = await loadPyodide();
const version = python.runPython(
  "import sys; f'{sys.version_info.major}.{sys.version_info.minor}'",
);
if (version !== wanted) {
  console.error(`Pyodide runs CPython ${version}, the Lambda ${wanted}: pin a Pyodide of ${wanted}`);
  process.exit(1);
}
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
