import { NymError } from "@nym-ts/common";

export type CredentialErrorCode =
  | "CREDENTIAL_ERROR_BAD_ATTRIBUTE"
  | "CREDENTIAL_ERROR_BAD_KEY"
  | "CREDENTIAL_ERROR_BAD_PARTIAL"
  | "CREDENTIAL_ERROR_HTTP"
  | "CREDENTIAL_ERROR_NOT_FOUND";

/** Failures of the shared credential conventions and API clients; `code` names the failure. */
export class CredentialError extends NymError<CredentialErrorCode> {
  constructor(code: CredentialErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(code, message, options?.details, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
