import { salientTerms } from "./salience.ts";
import { contentWords, type Sentence } from "./text.ts";

/** How callers say what they called about; the words after the cue are the request. */
const requestCue =
  /\b(?:i(?:'d| would) like(?: to)?|i want(?: to)?|i need(?: to)?|i(?:'m| am) calling (?:about|regarding|because|to)|calling (?:about|regarding)|can you help me(?: with)?|could you help me(?: with)?|can you|could you|help (?:me )?with|(?:a )?question about|(?:a |an )?(?:problem|issue|trouble) with)\s+(.+)/i;

const leadingFiller = /^(?:(?:a|an|the|my|our|some|to|please|about|with|get|have)\s+)+/i;

function capitalize(s: string): string {
  return s.charAt(0).toLocaleUpperCase() + s.slice(1);
}

/** The caller's first request: its sentence and a short phrase for it ("Refund for my annual plan"). */
export function firstRequest(sentences: readonly Sentence[]): { sentence: Sentence; phrase: string } | null {
  for (const s of sentences) {
    if (s.role !== "user") continue;
    const m = requestCue.exec(s.text.replace(/[’‘]/g, "'"));
    if (!m) continue;
    const clause = m[1]!.split(/[,.;:!?]|\s(?:because|and|but|so|since|as)\s/i)[0]!;
    const phrase = clause.split(/\s+/).slice(0, 7).join(" ").replace(leadingFiller, "").trim();
    if (contentWords(phrase).length > 0) return { sentence: s, phrase: capitalize(phrase) };
  }
  return null;
}

/** The call's topic: the caller's first request, else its most salient terms, else a neutral label. */
export function topicOf(sentences: readonly Sentence[]): string {
  const request = firstRequest(sentences);
  if (request) return request.phrase;
  const terms = salientTerms(sentences, 3);
  return terms.length ? capitalize(terms.join(", ")) : "General conversation";
}
