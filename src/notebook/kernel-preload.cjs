"use strict";
// Where the kernel's preload was before the kernel moved to src/kernel/ (issue 25): a kernelspec
// installed before then still starts `node --require <this file>`. It loads the kernel as it is now,
// so such a kernel keeps working until `npx kvq kernel install` rewrites the spec.
require("../kernel/preload.cjs");
