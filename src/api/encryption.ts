/**
 * `encryptionConfiguration` (CreateStateMachine, UpdateStateMachine, CreateActivity).
 *
 * `AWS_OWNED_KEY` is AWS's default and needs nothing from Stepwise: the data stays in the
 * server's database, which only its owner may read (0600). `CUSTOMER_MANAGED_KMS_KEY` is refused:
 * Stepwise has no AWS KMS to encrypt with, and accepting the setting while keeping the data as it
 * is would mislead whoever relies on it (an audit, a key revocation).
 *
 * The refusal is the error AWS gives when Step Functions cannot use the key
 * (KmsAccessDeniedException, "Either your KMS key policy or API caller does not have the required
 * permissions"); a customer-managed type without a key is InvalidEncryptionConfiguration, as AWS
 * documents it. AWS's message texts for both are not documented; these say what to do instead.
 */
import { AwsError } from './errors.js';

export function checkEncryptionConfiguration(configuration: Record<string, unknown> | undefined): void {
  if (configuration?.type !== 'CUSTOMER_MANAGED_KMS_KEY') return;
  if (configuration.kmsKeyId === undefined) {
    throw new AwsError('InvalidEncryptionConfiguration', 'Invalid Encryption Configuration: kmsKeyId is required when type is CUSTOMER_MANAGED_KMS_KEY');
  }
  throw new AwsError(
    'KmsAccessDeniedException',
    `Stepwise cannot use AWS KMS keys, so it cannot encrypt with '${String(configuration.kmsKeyId)}'. ` +
      'Leave encryptionConfiguration out, or use {"type": "AWS_OWNED_KEY"}: the data stays in the server\'s own database file, readable only by its owner.',
  );
}
