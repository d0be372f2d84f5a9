import { createPrivateKey, createPublicKey, sign, verify, X509Certificate } from 'node:crypto';
import { crc32 } from './crc32.ts';

export type TransmissionFields = { transmissionId: string; transmissionTime: string; webhookId: string; body: string };

/** PayPal's signed message: `<transmission id>|<transmission time>|<webhook id>|<CRC-32 of the raw body, decimal>`. */
export function signedMessage(fields: TransmissionFields): string {
  return `${fields.transmissionId}|${fields.transmissionTime}|${fields.webhookId}|${crc32(Buffer.from(fields.body, 'utf8'))}`;
}

/** Base64 SHA256withRSA signature of the message, as `PAYPAL-TRANSMISSION-SIG` carries it. */
export function signTransmission(fields: TransmissionFields, privateKeyPem: string): string {
  return sign('sha256', Buffer.from(signedMessage(fields)), createPrivateKey(privateKeyPem)).toString('base64');
}

export function verifyTransmission(fields: TransmissionFields, signature: string, certificatePem: string): boolean {
  try {
    const key = createPublicKey(new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
    return verify('sha256', Buffer.from(signedMessage(fields)), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
