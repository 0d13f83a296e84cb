// Shows a freshly made API key exactly once, with a copy button: storage keeps only its hash.
import { useState } from 'preact/hooks';

export function KeyBanner({ partnerName, apiKey, onDismiss }: { partnerName: string; apiKey: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(apiKey);
      setCopied(true);
    } catch {
      // Clipboard refused (plain http, no permission): select the text so Ctrl+C works.
      const el = document.querySelector<HTMLInputElement>('[data-testid="new-key"]');
      el?.select();
    }
  };
  return (
    <div class="key-banner card" role="alert">
      <strong>New API key for {partnerName}</strong>
      <div class="key-row">
        <input data-testid="new-key" readOnly value={apiKey} onFocus={(e) => e.currentTarget.select()} />
        <button onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
      </div>
      <p class="warn">Copy it now: you won't see it again. The hub keeps only a hash of it.</p>
      <button class="link" onClick={onDismiss}>I have copied it</button>
    </div>
  );
}
