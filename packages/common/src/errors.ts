/**
 * A coded error: `code` is a stable, greppable identifier such as `CHAIN_ERROR_NONCE_REUSED`; `details` is a typed
 * payload for callers that branch on the failure. Messages are for humans and may change.
 */
export class NymError<Code extends string = string, Details = unknown> extends Error {
  readonly code: Code;
  readonly details: Details | undefined;

  constructor(code: Code, message: string, details?: Details, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Stable error codes look like `CHAIN_ERROR_NONCE`: upper-case letters, digits and underscores. */
const CODE = /^[A-Z][A-Z0-9_]*$/;

/**
 * A NymError, or any Error with an upper-case string `code` (the pure libraries, which do not depend on this
 * package, throw their own coded errors: `SphinxError`, `MixnetError`).
 */
export function isNymError(value: unknown, code?: string): value is NymError {
  if (!(value instanceof Error)) return false;
  const own = (value as { code?: unknown }).code;
  if (!(value instanceof NymError) && !(typeof own === "string" && CODE.test(own))) return false;
  return code === undefined || own === code;
}

export type ConfigIssue = { path: string; message: string };

/** The config did not parse or did not validate; `details` lists every problem, each with its dotted path. */
export class ConfigError extends NymError<"CONFIG_ERROR_INVALID", ConfigIssue[]> {
  constructor(message: string, issues: ConfigIssue[], options?: { cause?: unknown }) {
    const listed = issues.map((issue) => `  ${issue.path || "(root)"}: ${issue.message}`).join("\n");
    super("CONFIG_ERROR_INVALID", listed ? `${message}\n${listed}` : message, issues, options);
  }
}

export type KeyFileErrorCode =
  | "KEYFILE_ERROR_PERMISSIONS"
  | "KEYFILE_ERROR_NOT_FOUND"
  | "KEYFILE_ERROR_EXISTS"
  | "KEYFILE_ERROR_NOT_A_FILE";

export class KeyFileError extends NymError<KeyFileErrorCode, { path: string; mode?: number }> {}
