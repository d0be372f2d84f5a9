import { pageText } from '../page-text.ts';

/** The words of the page behind a notice's manage link, which e-mails a fresh portal link. */
export const linkRequestText = pageText({
  nl: {
    title: 'Je abonnement beheren',
    explain: 'We sturen je een link om in te loggen op je abonnementsoverzicht naar {email}. De link werkt één keer en een uur lang.',
    why: 'Zo staat er in oude e-mails geen link waarmee iemand anders bij je abonnement kan.',
    button: 'Stuur mij de link',
    sentTitle: 'Kijk in je mailbox',
    sent: 'We hebben een link naar {email} gestuurd. Open hem binnen een uur; hij werkt één keer.',
    alreadySent: 'We hebben zojuist al een link naar {email} gestuurd; er gaat er niet nog een. Kijk ook in je map met ongewenste e-mail. Over een paar minuten kun je een nieuwe vragen.',
    badLinkTitle: 'Deze link werkt niet',
    badLink: 'Deze link is onvolledig of niet geldig. Er is niets veranderd. Gebruik de link uit de e-mail, of neem contact op met de winkel.',
    expiredTitle: 'Deze link is verlopen',
    expired: 'Deze link is verlopen. Er is niets veranderd. Gebruik de link uit een recentere e-mail, of neem contact op met de winkel.',
    forbiddenTitle: 'Dat kon niet worden verwerkt',
    forbidden: 'Dit formulier is verlopen of kwam niet van deze pagina. Er is niets verstuurd. Open de link uit de e-mail opnieuw.',
  },
  en: {
    title: 'Manage your subscription',
    explain: 'We send a link to sign in to your subscription overview to {email}. The link works once, for one hour.',
    why: 'That way old e-mails hold no link that lets someone else into your subscription.',
    button: 'Send me the link',
    sentTitle: 'Check your mailbox',
    sent: 'We have sent a link to {email}. Open it within an hour; it works once.',
    alreadySent: 'We sent a link to {email} a moment ago, so no other one was sent. Check your spam folder too. You can ask for a new one in a few minutes.',
    badLinkTitle: 'This link does not work',
    badLink: 'This link is incomplete or not valid. Nothing was changed. Use the link in the e-mail, or contact the shop.',
    expiredTitle: 'This link has expired',
    expired: 'This link has expired. Nothing was changed. Use the link in a more recent e-mail, or contact the shop.',
    forbiddenTitle: 'That could not be processed',
    forbidden: 'This form has expired or did not come from this page. Nothing was sent. Open the link in the e-mail again.',
  },
});
