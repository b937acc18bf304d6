// Task handlers for the examples, keyed by the Task's Resource ARN (a key may also be a state
// name). Use them from the CLI with `stepwise run FILE --handlers examples/handlers.mjs`, or pass
// them as `taskHandlers` to execute(). A handler resolves with the task's result, or throws:
// the thrown error's `name` becomes the Step Functions error and its `message` the cause.

function fail(error, cause) {
  return Object.assign(new Error(cause), { name: error });
}

export default {
  // A card ending in 0002 is declined; the gateway times out on the first two attempts for
  // cards ending in 5555 (the Task passes $$.State.RetryCount as `retryCount`).
  'arn:aws:lambda:us-east-1:123456789012:function:charge-card'(input) {
    if (input.card.endsWith('0002')) throw fail('Card.Declined', `Card ending ${input.card} was declined`);
    if (input.card.endsWith('5555') && input.retryCount < 2) throw fail('PaymentGateway.Timeout', 'The payment gateway did not answer');
    return { chargeId: `ch_${input.orderId}`, amount: input.amount, currency: input.currency, attempts: input.retryCount + 1 };
  },

  // 10 % off for gold customers, 5 % for silver, rounded to cents.
  'arn:aws:lambda:us-east-1:123456789012:function:apply-discount'(input) {
    const rate = { gold: 0.1, silver: 0.05 }[input.tier] ?? 0;
    return { tier: input.tier, rate, discount: Math.round(input.amount * rate * 100) / 100 };
  },
};
