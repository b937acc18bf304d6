/**
 * Sign in with an access key of the server's keys file. The key is checked with
 * Stepwise.GetCallerIdentity before it is kept (session.ts: this tab only), so a wrong secret or
 * an unknown key is refused here with the server's message rather than on the first page.
 */
import { useState, type FormEvent } from 'react';
import { callApiAs, describeError } from '../api/client.js';
import { ErrorMessage, useDocumentTitle } from '../components/common.js';
import { signIn, useSession } from './session.js';
import { canSign } from './web-crypto-sha256.js';

export function SignInPage() {
  useDocumentTitle('Sign in');
  const { signedOutBecause } = useSession();
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const signing = canSign();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const key = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() };
    try {
      const identity = await callApiAs<{ accessKeyId?: string; name?: string; arn?: string }>(key, 'GetCallerIdentity', {}, 'Stepwise');
      signIn({ ...key, name: identity.name ?? key.accessKeyId, arn: identity.arn ?? '' });
    } catch (e) {
      setError(`Sign-in failed: ${describeError(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="sign-in">
      <h1>Sign in to Stepwise</h1>
      <p>This server needs an access key from its keys file. The key is kept in this tab only, until you sign out or close it.</p>
      {signedOutBecause && (
        <p className="error" role="alert" data-testid="signed-out-because">
          You were signed out: {signedOutBecause}
        </p>
      )}
      {!signing && (
        <p className="error" role="alert">
          This browser signs requests with Web Crypto, which it offers only on HTTPS pages and on localhost. Serve Stepwise over HTTPS (--tls-cert and --tls-key, or a reverse proxy with TLS).
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <div className="field">
          <label htmlFor="access-key-id">Access key ID</label>
          <input id="access-key-id" value={accessKeyId} onChange={(e) => setAccessKeyId(e.target.value)} autoComplete="username" spellCheck={false} required maxLength={128} />
        </div>
        <div className="field">
          <label htmlFor="secret-access-key">Secret access key</label>
          <input id="secret-access-key" type="password" value={secretAccessKey} onChange={(e) => setSecretAccessKey(e.target.value)} autoComplete="current-password" required maxLength={128} />
        </div>
        <ErrorMessage error={error} />
        <div className="dialog-actions">
          <button type="submit" className="button-primary" disabled={busy || !signing}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </div>
  );
}
