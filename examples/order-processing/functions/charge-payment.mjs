// Charges the card. The gateway is busy on the first attempt of any charge above 100 (the state
// machine retries PaymentGatewayBusy), and cards ending in 0002 are declined (CardDeclined is caught).
export const handler = async (event, context) => {
  if (event.card.endsWith('0002')) {
    const error = new Error(`Card ending ${event.card.slice(-4)} was declined`);
    error.name = 'CardDeclined';
    throw error;
  }
  if (event.total > 100 && event.attempt === 0) {
    const error = new Error('The payment gateway is busy, try again');
    error.name = 'PaymentGatewayBusy';
    throw error;
  }
  return { chargeId: `ch_${event.orderId}_${context.awsRequestId.slice(0, 8)}`, amount: `${event.total} ${process.env.CURRENCY}` };
};
