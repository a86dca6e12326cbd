import {
  ContractsError,
  type PayIntoNymOptions,
  type Payment,
  type PaymentProgress,
  payIntoNym as pay,
} from "@nym-ts/contracts";
import { WatcherError } from "./errors.js";

export type { PayIntoNymOptions, Payment, PaymentProgress };

/**
 * `payIntoNym` of @nym-ts/contracts (the client side of paying in lives in the client libraries), re-exported here
 * for compatibility with its errors as WatcherError (WATCHER_ERROR_PAYMENT, WATCHER_ERROR_TIMEOUT).
 */
export async function payIntoNym(options: PayIntoNymOptions): Promise<Payment> {
  try {
    return await pay(options);
  } catch (error) {
    if (error instanceof ContractsError && error.code === "CONTRACTS_ERROR_PAYMENT") {
      throw new WatcherError("WATCHER_ERROR_PAYMENT", error.message, error.details ?? {}, { cause: error });
    }
    if (error instanceof ContractsError && error.code === "CONTRACTS_ERROR_TIMEOUT") {
      throw new WatcherError("WATCHER_ERROR_TIMEOUT", error.message, error.details ?? {}, { cause: error });
    }
    throw error;
  }
}
