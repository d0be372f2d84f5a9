import type { Command } from 'commander';
import type { Config } from '../config/load-config.ts';
import { NOTICE_TEMPLATES, isNoticeTemplate, type NoticeLocale, type NoticeTemplate } from '../notifications/notice-catalogue.ts';
import { NoticeRenderError, renderEmail, renderSms, validateNoticeOverrides, type RenderRequest } from '../notifications/render-notice.ts';
import { sampleLinks, samplePayload } from '../notifications/sample-notices.ts';
import { channelsOf, noticeTemplates, placeholdersOf, requiredPlaceholdersOf } from '../notifications/templates/notice-templates.ts';
import { CliError, EX_USAGE, loadConfigOrExit } from './cli-support.ts';
import { registerNoticesDeliverCommand } from './notices-deliver-command.ts';
import { shopNameOf } from '../config/shop-name.ts';

const LOCALES: readonly NoticeLocale[] = ['nl', 'en'];
const CHANNELS = ['email', 'sms'] as const;
const FORMATS = ['text', 'html', 'subject'] as const;
/** sysexits: data that does not render (a usage error is EX_USAGE). */
const EX_DATAERR = 65;

type PreviewOptions = { locale?: string; channel: string; format?: string };

export function registerNoticesCommand(program: Command): void {
  const notices = program.command('notices').description('the notices recur sends: preview one with sample data, list templates and placeholders, deliver due ones');

  notices
    .command('preview')
    .description("render a notice with sample data, in the shop's wording from recur.config.json where it has one")
    .argument('<template>', 'the template name (recur notices list shows them)')
    .option('--locale <locale>', `${LOCALES.join(' or ')} (default: DEFAULT_LOCALE)`)
    .option('--channel <channel>', CHANNELS.join(' or '), 'email')
    .option('--format <format>', `for e-mail: ${FORMATS.join(', ')} (default: subject and text)`)
    .action((name: string, options: PreviewOptions) => {
      const template = parseTemplate(name);
      const channel = oneOf('--channel', options.channel, CHANNELS);
      const format = options.format === undefined ? undefined : oneOf('--format', options.format, FORMATS);
      if (options.locale !== undefined) oneOf('--locale', options.locale, LOCALES);
      if (channel === 'sms' && !channelsOf(template).includes('sms')) {
        throw new CliError(`${template} is not sent by SMS (SMS notices: ${NOTICE_TEMPLATES.filter((t) => channelsOf(t).includes('sms')).join(', ')})`, EX_USAGE);
      }
      if (channel === 'sms' && format !== undefined) throw new CliError('--format applies to --channel email only', EX_USAGE);
      const config = loadConfigOrExit();
      const request = previewRequest(config, template, (options.locale as NoticeLocale | undefined) ?? config.DEFAULT_LOCALE);
      process.stdout.write(render(request, channel, format));
    });

  notices
    .command('list')
    .description('print every template, its channels and the {{placeholders}} an override may use')
    .action(() => {
      for (const template of NOTICE_TEMPLATES) {
        const required = requiredPlaceholdersOf(template);
        const mustKeep = [...new Set([...required.email, ...required.sms])];
        console.log(`${template}  [${noticeTemplates[template].audience}; ${channelsOf(template).join(', ')}]`);
        console.log(`  placeholders: ${placeholdersOf(template).map((p) => `{{${p}}}`).join(' ')}`);
        if (mustKeep.length > 0) console.log(`  an override must keep: ${mustKeep.map((p) => `{{${p}}}`).join(' ')}`);
      }
    });

  registerNoticesDeliverCommand(notices);
}

function parseTemplate(name: string): NoticeTemplate {
  if (!isNoticeTemplate(name)) throw new CliError(`unknown template "${name}"; templates: ${NOTICE_TEMPLATES.join(', ')}`, EX_USAGE);
  return name;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new CliError(`${option} must be one of ${allowed.join(', ')} (got "${value}")`, EX_USAGE);
  return value as T;
}

function previewRequest(config: Config, template: NoticeTemplate, locale: NoticeLocale): RenderRequest {
  const { notices } = config.catalogue;
  // The shop previews its own wording while writing it: a mistake in it is the answer, not a stack trace.
  const problems = validateNoticeOverrides({ [template]: notices.templates[template] });
  if (problems.length > 0) throw new CliError(`${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, EX_DATAERR);
  return {
    template,
    locale,
    timeZone: config.DEFAULT_TIME_ZONE,
    payload: samplePayload(template),
    links: noticeTemplates[template].audience === 'customer' ? sampleLinks : null,
    shop: { name: shopNameOf(config), support_email: notices.support_email ?? null, sepa_creditor_id: config.SEPA_CREDITOR_ID ?? null },
    overrides: notices.templates,
  };
}

function render(request: RenderRequest, channel: (typeof CHANNELS)[number], format: (typeof FORMATS)[number] | undefined): string {
  try {
    if (channel === 'sms') return `${renderSms(request)}\n`;
    const email = renderEmail(request);
    if (format === 'subject') return `${email.subject}\n`;
    if (format === 'html') return email.html;
    if (format === 'text') return email.text;
    return `Subject: ${email.subject}\n\n${email.text}`;
  } catch (error) {
    if (error instanceof NoticeRenderError) throw new CliError(error.message, EX_DATAERR);
    throw error;
  }
}
