/**
 * Certificates of the throw-away control plane, made with the openssl CLI in the run's temp dir:
 * a cluster CA (API server serving cert, admin client cert, serving certs of the aggregated API
 * servers and webhooks), a front-proxy CA (the aggregator's client cert) and the service-account
 * signing key pair.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

export class CertAuthority {
  readonly cert: string;
  readonly key: string;
  private serial = 1;

  constructor(
    private readonly dir: string,
    readonly name: string,
  ) {
    this.cert = join(dir, `${name}.crt`);
    this.key = join(dir, `${name}.key`);
    openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      this.key,
      "-out",
      this.cert,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ]);
  }

  pem(): string {
    return readFileSync(this.cert, "utf8");
  }

  /** A leaf certificate: `cn`, optional organisations (groups), DNS/IP SANs for serving. */
  issue(file: string, cn: string, opts: { orgs?: readonly string[]; dns?: readonly string[]; ips?: readonly string[] } = {}): CertPair {
    const key = join(this.dir, `${file}.key`);
    const csr = join(this.dir, `${file}.csr`);
    const cert = join(this.dir, `${file}.crt`);
    const ext = join(this.dir, `${file}.ext`);
    const subj = `/CN=${cn}${(opts.orgs ?? []).map((o) => `/O=${o}`).join("")}`;
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", subj]);
    const sans = [...(opts.dns ?? []).map((d) => `DNS:${d}`), ...(opts.ips ?? []).map((i) => `IP:${i}`)];
    const serving = sans.length > 0;
    writeFileSync(
      ext,
      [
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        `extendedKeyUsage=${serving ? "serverAuth,clientAuth" : "clientAuth"}`,
        ...(serving ? [`subjectAltName=${sans.join(",")}`] : []),
      ].join("\n") + "\n",
    );
    openssl([
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      this.cert,
      "-CAkey",
      this.key,
      "-set_serial",
      String(++this.serial + Date.now()),
      "-days",
      "2",
      "-out",
      cert,
      "-extfile",
      ext,
    ]);
    return { cert, key };
  }
}

/** The service-account token signing key pair. */
export function serviceAccountKeys(dir: string): { privateKey: string; publicKey: string } {
  const privateKey = join(dir, "sa.key");
  const publicKey = join(dir, "sa.pub");
  openssl(["genrsa", "-out", privateKey, "2048"]);
  openssl(["rsa", "-in", privateKey, "-pubout", "-out", publicKey]);
  return { privateKey, publicKey };
}
