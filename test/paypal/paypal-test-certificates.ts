import 'reflect-metadata';
import { createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
const DAY_MS = 86_400_000;

export type TestCertificate = { pem: string; privateKey: KeyObject };

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function toKeyObject(key: CryptoKey): Promise<KeyObject> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/**
 * A root CA and certificates like the ones PayPal signs webhooks with, made fresh in the test:
 * `leaf` is issued by `root` to messageverificationcerts.paypal.com; the others are what a forger
 * could offer instead.
 */
export async function createTestCertificates(options: { validFrom?: Date; leafName?: string } = {}) {
  const validFrom = options.validFrom ?? new Date(Date.now() - DAY_MS);
  const validTo = new Date(validFrom.getTime() + 365 * DAY_MS);
  const rootKeys = await generateKeys();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=recur test root CA',
    keys: rootKeys as never,
    notBefore: validFrom,
    notAfter: new Date(validFrom.getTime() + 3650 * DAY_MS),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  const issueLeaf = async (subject: string, notBefore: Date, notAfter: Date, issuerKey: CryptoKey = rootKeys.privateKey) => {
    const keys = await generateKeys();
    const certificate = await x509.X509CertificateGenerator.create({
      subject: `CN=${subject}`,
      issuer: root.subject,
      notBefore,
      notAfter,
      publicKey: keys.publicKey as never,
      signingKey: issuerKey as never,
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
    });
    return { pem: certificate.toString('pem'), privateKey: await toKeyObject(keys.privateKey) };
  };
  const leafName = options.leafName ?? 'messageverificationcerts.paypal.com';
  const selfSignedKeys = await generateKeys();
  const selfSigned = await x509.X509CertificateGenerator.createSelfSigned({ name: `CN=${leafName}`, keys: selfSignedKeys as never, notBefore: validFrom, notAfter: validTo });
  const otherRootKeys = await generateKeys();
  return {
    root: { pem: root.toString('pem'), privateKey: await toKeyObject(rootKeys.privateKey) } satisfies TestCertificate,
    leaf: await issueLeaf(leafName, validFrom, validTo),
    expired: await issueLeaf(leafName, new Date(validFrom.getTime() - 400 * DAY_MS), new Date(validFrom.getTime() - 35 * DAY_MS)),
    otherName: await issueLeaf('www.example.com', validFrom, validTo),
    /** Names the root as its issuer but was signed by another key. */
    wrongIssuerKey: await issueLeaf(leafName, validFrom, validTo, otherRootKeys.privateKey),
    selfSigned: { pem: selfSigned.toString('pem'), privateKey: await toKeyObject(selfSignedKeys.privateKey) } satisfies TestCertificate,
  };
}
