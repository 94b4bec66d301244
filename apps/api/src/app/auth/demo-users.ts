import type { DemoUser } from '@herald/ws-contracts';

/** The fixed cast of the demo app; anyone else may sign in by email too. */
export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'ana', email: 'ana@herald.dev', name: 'Ana Souza', role: 'user' },
  { id: 'bruno', email: 'bruno@herald.dev', name: 'Bruno Lima', role: 'user' },
  { id: 'carla', email: 'carla@herald.dev', name: 'Carla Dias', role: 'user' },
  { id: 'diego', email: 'diego@herald.dev', name: 'Diego Alves', role: 'user' },
];

export function demoUserByEmail(email: string): DemoUser | undefined {
  const wanted = email.trim().toLowerCase();
  return DEMO_USERS.find((u) => u.email === wanted);
}

export function demoUserById(id: string): DemoUser | undefined {
  return DEMO_USERS.find((u) => u.id === id);
}
