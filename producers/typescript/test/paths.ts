/** Folders of the repository the tests read: the conformance vectors and the examples. */
import { fileURLToPath } from "node:url";

// Compiled to dist/test/: four levels up is the repository root.
export const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
export const CONFORMANCE = `${REPO}conformance/`;
export const EXAMPLES = `${REPO}examples/`;
