/**
 * Threat vocabulary shared by the classifier and the decision pipeline.
 *
 * Domains follow the nine-domain AI threat taxonomy of Huwyler (2025); prohibited
 * practices are the practices of EU AI Act Article 5(1). Rules, sub-threats and
 * severities are data (config/threats.yaml, see docs/classifier.md).
 */
export const THREAT_DOMAINS = [
  'MISUSE',
  'POISONING',
  'PRIVACY',
  'ADVERSARIAL',
  'BIASES',
  'UNRELIABLE_OUTPUTS',
  'DRIFT',
  'SUPPLY_CHAIN',
  'IP_THREAT',
] as const; // Huwyler 2025 nine domains
export type ThreatDomain = (typeof THREAT_DOMAINS)[number];

export const PROHIBITED_PRACTICES = [
  'social_scoring',
  'manipulation',
  'exploitation_of_vulnerabilities',
  'untargeted_facial_scraping',
  'emotion_recognition_workplace_education',
  'biometric_categorisation_sensitive',
  'predictive_policing_profiling',
] as const; // EU AI Act Art. 5
export type ProhibitedPractice = (typeof PROHIBITED_PRACTICES)[number];

export interface Finding {
  domain: ThreatDomain;
  /** e.g. 'prompt_injection', 'jailbreak', 'model_extraction', 'data_poisoning', 'pii_exfiltration', 'social_scoring', 'discrimination'. */
  subThreat: string;
  /** Id of the rule that fired, suffixed with its language (e.g. 'injection.ignore_instructions.de'), or 'model:injection'. */
  pattern: string;
  /** 0..10, from config/threats.yaml. */
  severity: number;
  /** 0..1. */
  confidence: number;
  /** Set when the finding is an EU AI Act Art. 5 prohibited practice. */
  prohibitedPractice?: ProhibitedPractice;
  /** 'en', 'de', 'pt', 'es', 'fr' (or another code) when the rule is language specific. */
  language?: string;
  /** The matched normalised snippet, at most 80 characters. */
  evidence?: string;
  /**
   * A confident finding (an exact rule, or the model at or above its confident threshold) of an
   * attack or a prohibited practice is critical: blocked in every environment. An uncertain one
   * weighs in the risk score and sends high-risk systems to human review.
   */
  certain: boolean;
  /** Index of the message the finding came from (the prompt counts as the last message). */
  messageIndex: number;
}

export interface Classification {
  findings: Finding[];
  /** The normalised text the rules saw (NFKC, invisible characters removed, homoglyphs mapped, case and accents folded), messages joined. */
  normalized: string;
  /** The cleaned text, case and punctuation kept (custom rules match formats such as e-mail addresses here), messages joined. */
  clean: string;
  /** Base64 payloads found in the text and decoded (they are classified too). */
  decoded: string[];
}
