// An agent SOP (plain text or markdown, numbered or not) read into steps, and what each step
// offers a caller: amounts, times, terms, confirmations, identity checks, offers.
import { sentencesIn } from '../import/text';

export interface SopStep {
  /** 0-based position. */
  index: number;
  /** The step's text, without numbering, bullets or markdown. */
  text: string;
  /** Lowercased. */
  lower: string;
}

/** The steps of an SOP: list items and numbered lines, else sentences; headings and blank lines dropped. */
export function sopSteps(sop: string): SopStep[] {
  const lines = sop
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.replace(/^\s*(?:#+\s+.*|[-=*_]{3,}\s*)$/, '').replace(/^\s*(?:\d+[.)]|[a-z][.)]|[-*•+]|step\s+\d+[:.)]?)\s+/i, '').replace(/\*\*|__|`/g, '').trim());
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(...sentencesIn(para.join(' ')));
    para = [];
  };
  const raw = sop.replace(/\r/g, '').split('\n');
  lines.forEach((l, i) => {
    const listItem = /^\s*(?:\d+[.)]|[a-z][.)]|[-*•+]|step\s+\d+[:.)]?)\s+/i.test(raw[i]);
    if (!l) { flush(); return; }
    if (listItem) { flush(); out.push(l); return; }
    para.push(l);
  });
  flush();
  return out
    .map((t) => t.replace(/:$/, '').trim())
    .filter((t) => t.split(/\s+/).length >= 3)
    .map((text, index) => ({ index, text, lower: text.toLowerCase() }));
}

export const AMOUNT_NOUNS = 'price|prices|fee|fees|cost|costs|copay|co-pay|charge|charges|premium|rate|rates|deposit|total|balance|amount|payment|refund|surcharge|fare|deductible|bill|quote|penalty|discount|difference';
export const TIME_NOUNS = 'time|times|date|dates|day|days|slot|slots|window|deadline|timeframe|turnaround';
export const TERM_NOUNS = 'contract|term|terms|agreement|commitment|notice period|cancellation policy|cancellation|minimum term|warranty|coverage period';
export const IDENTITY = /\b(?:identity|date of birth|birth ?date|dob|full name|last name|account (?:number|holder|pin)|member (?:id|number)|policy number|patient id|booking (?:reference|code)|confirmation (?:code|number)|reservation (?:code|number)|order number|prescription number|rx number|zip(?: code)?|postcode|postal code|address|phone number|email address|last four digits|security question|passcode|pin)\b/g;
export const OFFER = /^(?:offer|upsell|recommend|suggest|promote|mention|present|pitch)\b|\b(?:upsell|upgrade to|add-on|membership|loyalty (?:program|scheme|club)|protection plan)\b/;
export const CONFIRMATION = /\b(?:confirmation (?:email|text|number|message)|written (?:summary|confirmation|quote)|in writing|receipt|reference number|case number|summary by (?:email|text)|send (?:a |the )?(?:confirmation|summary|receipt)|email (?:a |the )?(?:confirmation|summary|receipt))\b/;
