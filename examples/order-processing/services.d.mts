export interface Services {
  readonly dynamoEndpoint: string;
  readonly shippingUrl: string;
  close(): Promise<unknown>;
}
export function startServices(options?: { dynamoPort?: number; shippingPort?: number; apiKey?: string }): Promise<Services>;
