// Public surface of payload/: Any in its binary, base64 and JSON forms, and the type registry.
export { createTypeRegistry, typeNameOf } from "./registry.js";
export { decodeBase64, decodeBase64Lenient, encodeBase64, encodeBase64Url } from "./base64.js";
export { anyFromFriendlyJson, anyToFriendlyJson, emptyStateAny, isEmptyAny } from "./friendly-json.js";
export { anyFromBase64, anyFromBinary, anyToBase64, metaToCosJson } from "./cos-json.js";
export { typeRegistry } from "./user-registry.js";
export { MAX_JSON_DEPTH, anyJsonDepth, checkJsonDepth, jsonDepth, jsonTextDepth } from "./json-depth.js";
