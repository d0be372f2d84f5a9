import type { NoticeLocale } from '../notice-catalogue.ts';
import type { Block } from './notice-template.ts';

import { escapeHtml } from '../../shared/escape-html.ts';

/** The plain-text part: paragraphs apart by a blank line, facts and tables aligned in columns. */
export function renderTextLayout(blocks: readonly Block[]): string {
  return `${blocks.map(renderTextBlock).join('\n\n')}\n`;
}

function renderTextBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return block.link ? `${block.text}\n${block.link}` : block.text;
    case 'action':
      return `${block.label}: ${block.url}`;
    case 'facts': {
      const width = Math.max(...block.rows.map(([label]) => label.length)) + 2;
      // A value of several lines (a list of subscriptions) keeps to its column.
      return block.rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value.split('\n').join(`\n${' '.repeat(width)}`)}`).join('\n');
    }
    case 'table': {
      const rows = [block.head, ...block.rows];
      const widths = block.head.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
      const line = (row: readonly string[]) =>
        row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
      return [line(block.head), widths.map((width) => '-'.repeat(width)).join('  '), ...block.rows.map(line)].join('\n');
    }
  }
}

const STYLE = {
  body: 'margin:0;padding:0;background:#f4f5f7;',
  sheet: 'max-width:560px;margin:0 auto;padding:24px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1f2933;',
  paragraph: 'margin:0 0 16px;',
  table: 'border-collapse:collapse;margin:0 0 16px;',
  label: 'padding:4px 16px 4px 0;color:#52606d;vertical-align:top;',
  value: 'padding:4px 0;font-weight:bold;vertical-align:top;',
  headCell: 'padding:6px 12px 6px 0;border-bottom:1px solid #cbd2d9;',
  cell: 'padding:4px 12px 4px 0;border-bottom:1px solid #e4e7eb;',
  button: 'display:inline-block;padding:10px 18px;background:#1f6feb;color:#ffffff;border-radius:4px;text-decoration:none;font-weight:bold;',
  link: 'color:#1f6feb;word-break:break-all;',
  small: 'font-size:13px;color:#52606d;word-break:break-all;',
} as const;

/** The HTML part: one inline-styled column, no external images or scripts (mail clients block both). */
export function renderHtmlLayout(blocks: readonly Block[], subject: string, locale: NoticeLocale): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${locale}">`,
    `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>`,
    `<body style="${STYLE.body}">`,
    `<div style="${STYLE.sheet}">`,
    ...blocks.map(renderHtmlBlock),
    '</div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const lines = (text: string) => escapeHtml(text).replace(/\n/g, '<br>');
const anchor = (url: string, style: string, label = url) => `<a href="${escapeHtml(url)}" style="${style}">${escapeHtml(label)}</a>`;

function renderHtmlBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p style="${STYLE.paragraph}">${lines(block.text)}${block.link ? `<br>${anchor(block.link, STYLE.link)}` : ''}</p>`;
    case 'action':
      return `<p style="${STYLE.paragraph}">${anchor(block.url, STYLE.button, block.label)}<br><span style="${STYLE.small}">${escapeHtml(block.url)}</span></p>`;
    case 'facts':
      return `<table role="presentation" style="${STYLE.table}">${block.rows
        .map(([label, value]) => `<tr><td style="${STYLE.label}">${escapeHtml(label)}</td><td style="${STYLE.value}">${lines(value)}</td></tr>`)
        .join('')}</table>`;
    case 'table': {
      const align = (column: number) => (column === 0 ? 'text-align:left;' : 'text-align:right;');
      const head = block.head.map((cell, column) => `<th style="${STYLE.headCell}${align(column)}">${escapeHtml(cell)}</th>`).join('');
      const body = block.rows.map((row) => `<tr>${row.map((cell, column) => `<td style="${STYLE.cell}${align(column)}">${escapeHtml(cell)}</td>`).join('')}</tr>`).join('');
      return `<table style="${STYLE.table}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
    }
  }
}
