export function contentSecurityPolicy(options: { dev: boolean; nonce?: string }): string;
export function securityHeaders(dev: boolean): { key: string; value: string }[];
