// Checks an order and adds its total. An order without items or with a non-positive quantity is
// refused with an error named InvalidOrder, which the state machine catches.
class InvalidOrder extends Error {
  constructor(message) {
    super(message);
    this.name = 'InvalidOrder';
  }
}

export const handler = async (order) => {
  if (!Array.isArray(order.items) || order.items.length === 0) throw new InvalidOrder(`Order ${order.orderId} has no items`);
  for (const item of order.items) {
    if (!(item.quantity > 0)) throw new InvalidOrder(`Order ${order.orderId}: ${item.sku} has quantity ${item.quantity}`);
  }
  const total = order.items.reduce((sum, item) => sum + item.quantity * item.price, 0);
  return { ...order, total };
};
