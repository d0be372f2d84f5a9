import { pageText } from '../page-text.ts';

/** The words of the portal's plan picker, in Dutch and English; the terms themselves come from the service (they are recorded). */
export const signupText = pageText({
  nl: {
    pickerTitle: 'Kies je abonnement',
    pickerIntro: 'Kies maandelijks of jaarlijks. Lees de voorwaarden en geef je akkoord; daarna betaal je op de beveiligde pagina van de betaalprovider en kom je hier terug.',
    price: '{amount} {frequency}',
    yearlySaving: 'Je bespaart {amount} per jaar ten opzichte van maandelijks betalen.',
    termsHeading: 'Voorwaarden',
    payWith: 'Betalen met',
    consent: 'Ik heb de voorwaarden hierboven gelezen en ga akkoord, ook met de datum en het bedrag van de eerste betaling.',
    choose: '{plan} kiezen en betalen',
    consentMissing: 'Vink het vakje aan om akkoord te gaan met de voorwaarden van {plan}. Er is niets besteld.',
    termsChanged: 'De voorwaarden van {plan} zijn intussen veranderd. Lees ze hieronder opnieuw; er is niets besteld.',
    checkoutSuccess: 'Welkom! Je abonnement is afgesloten.',
    checkoutPending: 'Je betaling wordt nog verwerkt. Zodra ze rond is, zie je je abonnement hier.',
    checkoutCanceled: 'Je hebt de betaling niet afgerond. Er is niets afgeschreven; je kunt hieronder opnieuw kiezen.',
  },
  en: {
    pickerTitle: 'Choose your subscription',
    pickerIntro: "Choose monthly or yearly. Read the terms and agree to them; then you pay on the payment provider's secure page and come back here.",
    price: '{amount} {frequency}',
    yearlySaving: 'You save {amount} a year compared with paying monthly.',
    termsHeading: 'Terms',
    payWith: 'Pay with',
    consent: 'I have read the terms above and agree to them, including the date and amount of the first charge.',
    choose: 'Choose {plan} and pay',
    consentMissing: 'Tick the box to agree to the terms of {plan}. Nothing was ordered.',
    termsChanged: 'The terms of {plan} have changed meanwhile. Read them again below; nothing was ordered.',
    checkoutSuccess: 'Welcome! Your subscription is set up.',
    checkoutPending: 'Your payment is still being processed. Once it is done, you will see your subscription here.',
    checkoutCanceled: 'You did not finish the payment. Nothing was charged; you can choose again below.',
  },
});

export type SignupWords = ReturnType<typeof signupText>;

/** How the picker names each way to pay. */
export const PROVIDER_CHOICES = {
  nl: { stripe: 'Betaalkaart of creditcard (Stripe)', paypal: 'PayPal' },
  en: { stripe: 'Debit or credit card (Stripe)', paypal: 'PayPal' },
} as const;
