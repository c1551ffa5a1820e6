/**
 * Whether a string in a secret's format is a placeholder rather than a secret: documentation,
 * templates and questions about configuration write "sk-XXXXXXXXXXXXXXXX", "<API_KEY>",
 * "your-api-key-here", "dein-api-key-hier", a lookup of the environment, or AWS's published
 * example key, and those are not an exposure. A real secret is random: it mixes letters with
 * digits or cases, and does not repeat a character four times running.
 */
const WORDS =
  /(?:x{4}|\*{3}|\.{3}|your|youre|dein|deine|votre|sua|seu|tu[-_]|example|exemple|ejemplo|beispiel|placeholder|platzhalter|redacted|changeme|change[-_]?me|dummy|sample|insert|replace|here|hier|ici|aqui|aquí|fake|test|trocar|cambiar|changer|ändern|aendern|getenv|environ|process\.env|<|>|\{\{|\$\{|\$[A-Z_]{3,})/i;
const AWS_EXAMPLE = /AKIAIOSFODNN7EXAMPLE|wJalrXUtnFEMI\/K7MDENG\/bPxRfiCYEXAMPLEKEY/;

export function isPlaceholder(s: string): boolean {
  if (WORDS.test(s) || AWS_EXAMPLE.test(s)) return true;
  let run = 1;
  for (let i = 1; i < s.length; i++) {
    run = s[i] === s[i - 1] ? run + 1 : 1;
    if (run >= 4) return true;
  }
  // The secret itself: after "name=" or "name: ", or after a key prefix such as "sk-" or "ghp_".
  const value = s.replace(/^[^:=]*[:=]\s*/, '').replace(/^[a-z]{2,5}[-_]/i, '');
  const classes = Number(/[a-z]/.test(value)) + Number(/[A-Z]/.test(value)) + Number(/[0-9]/.test(value));
  return value.length < 8 || classes < 2 || new Set(value).size < 6;
}
