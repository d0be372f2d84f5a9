/**
 * SMS length in segments. A message in the GSM 03.38 alphabet takes 160 characters in one segment
 * and 153 per segment when split (characters of the extension table, such as €, count twice); a
 * single character outside it turns the whole message into UCS-2: 70, then 67 per segment.
 * Each segment is billed, so notices aim at one and never exceed two.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';

export function countSmsSegments(text: string): number {
  let septets = 0;
  for (const char of text) {
    if (GSM_BASIC.includes(char)) septets += 1;
    else if (GSM_EXTENSION.includes(char)) septets += 2;
    else return ucs2Segments(text);
  }
  return septets <= 160 ? 1 : Math.ceil(septets / 153);
}

function ucs2Segments(text: string): number {
  const units = text.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

/**
 * Intl formats `€ 29,99` with a no-break space, and a no-break space is not in the GSM alphabet:
 * left in, it would double the message's cost. SMS text gets plain spaces and no line breaks.
 */
export function toSmsText(text: string): string {
  return text.replace(/[\u00a0\u202f\s]+/g, ' ').trim();
}
