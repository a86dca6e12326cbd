import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Where Debian (and Ubuntu's deb) put the browser; CHROMIUM_PATH first when set. */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

/**
 * This machine's notes: a fresh profile, no GPU, no QUIC, and nothing that phones home (component updates, sync,
 * background networking), so the browser talks only to the loopback directory under test. --headless is added by
 * playwright-core; --user-data-dir is the persistent context's directory.
 */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function found(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * Debian's chromium, installed with apt-get when missing (as root). Throws with what to do when it cannot be
 * installed here: the browser test never passes without a browser, and never skips silently.
 */
export function ensureChromium(): string {
  const present = found();
  if (present !== undefined) return present;
  const aptGet = ["/usr/bin/apt-get", "/bin/apt-get"].find((p) => existsSync(p));
  if (aptGet === undefined) {
    throw new Error(
      "the explorer's browser test needs Chromium: no chromium binary and no apt-get on this machine; install " +
        "Chromium and set CHROMIUM_PATH to its binary",
    );
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      "the explorer's browser test needs Chromium: run `sudo apt-get install -y chromium` (it installs itself only " +
        "when the tests run as root), or set CHROMIUM_PATH",
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args: string[]) =>
    execFileSync(aptGet, args, { env, stdio: ["ignore", "ignore", "inherit"], timeout: 15 * 60_000 });
  try {
    run(["update", "-qq"]);
    run(["install", "-y", "-qq", "--no-install-recommends", "chromium"]);
  } catch (error) {
    throw new Error(`the explorer's browser test could not install Chromium with apt-get: ${(error as Error).message}`);
  }
  const installed = found();
  if (installed === undefined) throw new Error("apt-get installed chromium, yet no chromium binary was found");
  return installed;
}
