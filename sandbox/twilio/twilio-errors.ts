import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/** Twilio's REST error body; the SDK turns it into a RestException with `.code` and `.status`. */
export type TwilioErrorBody = { code: number; message: string; more_info: string; status: number };

/** The Twilio error codes the sandbox answers with, and their HTTP statuses. */
export const twilioErrorStatus = {
  20001: 400, // invalid parameter (a request the sandbox cannot read)
  20003: 401, // authentication failed
  20404: 404, // resource not found
  20429: 429, // too many requests
  20500: 500, // internal error
  20503: 503, // service unavailable
  21211: 400, // invalid 'To' number
  21212: 400, // invalid 'From' number
  21408: 400, // no permission to send to the 'To' number's region
  21602: 400, // body (or media) required
  21603: 400, // 'From' or MessagingServiceSid required
  21604: 400, // 'To' required
  21606: 400, // 'From' not an SMS-capable number of this account
  21609: 400, // StatusCallback is not a valid URL
  21610: 400, // recipient opted out (texted STOP)
  21611: 400, // the 'From' number's queue is full
  21612: 400, // cannot route to this 'To' number
  21614: 400, // 'To' is not a mobile number
  21617: 400, // body over 1600 characters
  21701: 400, // messaging service SID invalid
} as const;

export type TwilioErrorCode = keyof typeof twilioErrorStatus;

/** An expected refusal: returned by the validators, turned into an answer by the route. */
export type TwilioRefusal = { code: TwilioErrorCode; message: string };

export function twilioErrorBody(code: TwilioErrorCode, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: twilioErrorStatus[code] };
}

export function sendTwilioError(reply: FastifyReply, refusal: TwilioRefusal): FastifyReply {
  const body = twilioErrorBody(refusal.code, refusal.message);
  return reply.status(body.status).type('application/json').send(body);
}

const faultRefusals: Record<500 | 429 | 503, TwilioRefusal> = {
  500: { code: 20500, message: 'Internal Server Error' },
  429: { code: 20429, message: 'Too Many Requests' },
  503: { code: 20503, message: 'Service Unavailable' },
};

export function sendTwilioFault(reply: FastifyReply, status: 500 | 429 | 503): FastifyReply {
  return sendTwilioError(reply, faultRefusals[status]);
}

/** Fastify's own failures and unknown paths under /twilio, in Twilio's shape. */
export function installTwilioErrorHandlers(api: FastifyInstance): void {
  api.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) return sendTwilioError(reply, faultRefusals[500]);
    return reply.status(status).send({ ...twilioErrorBody(20001, error.message), status });
  });
  api.setNotFoundHandler((request, reply) =>
    sendTwilioError(reply, { code: 20404, message: `The requested resource ${request.url.replace(/^\/twilio/, '')} was not found` }),
  );
}
