import type { Logger } from "@nym-ts/common";
import type { DirectoryClient, Ed25519Signer, ServiceProviderRegistration } from "@nym-ts/directory-client";

export interface RegistrationOptions {
  directory: DirectoryClient;
  signer: Ed25519Signer;
  /** The payload as it stands now (the mixnet address appears once the mixnet endpoint is up). */
  payload: () => ServiceProviderRegistration;
  intervalMs: number;
  log: Logger;
  onError?: () => void;
}

/**
 * Keeps the SP registered in the directory: registers at once, then renews every `intervalMs` (the directory's TTL
 * is longer). A failed attempt is logged and counted; the next period tries again.
 */
export class DirectoryRegistration {
  readonly #o: RegistrationOptions;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #registered = false;

  constructor(options: RegistrationOptions) {
    this.#o = options;
  }

  get registered(): boolean {
    return this.#registered;
  }

  /** Registers once now (resolves whether or not it worked) and keeps renewing. */
  async start(): Promise<void> {
    await this.renew();
    this.#schedule();
  }

  /** One registration attempt; true when the directory accepted it. */
  async renew(): Promise<boolean> {
    try {
      await this.#o.directory.register("service-provider", this.#o.payload(), this.#o.signer);
      if (!this.#registered) this.#o.log.info({ identityKey: this.#o.signer.publicKey }, "registered in the directory");
      this.#registered = true;
      return true;
    } catch (error) {
      this.#o.onError?.();
      this.#o.log.warn({ err: error }, "directory registration failed; retrying at the next renewal");
      return false;
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.renew().finally(() => this.#schedule());
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
