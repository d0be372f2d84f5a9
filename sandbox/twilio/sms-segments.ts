/** The GSM 03.38 basic character set; anything outside it (and its extension) forces UCS-2. */
const gsmBasic = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** Characters of the GSM extension table, which take two septets each. */
const gsmExtension = new Set('^{}\\[~]|€\f');

/**
 * How many SMS segments a body takes, as Twilio counts them for `num_segments`: 160 GSM-7
 * characters in one segment or 153 per part when concatenated; 70 / 67 UTF-16 units in UCS-2.
 */
export function countSegments(body: string): number {
  let septets = 0;
  let gsm = true;
  for (const char of body) {
    if (gsmBasic.has(char)) septets += 1;
    else if (gsmExtension.has(char)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
}
