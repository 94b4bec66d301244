import { render, screen } from '@testing-library/react';
import { App } from './App';

describe('App', () => {
  beforeEach(() => sessionStorage.clear());

  it('shows the contract version it was built against', () => {
    render(<App />);
    expect(screen.getByText(/Contract v1\./)).toBeTruthy();
  });

  it('offers every demo user as a named sign-in button when signed out', () => {
    render(<App />);
    expect(screen.getByRole('heading', { name: 'Sign in to Herald' })).toBeTruthy();
    for (const name of ['Ana Souza', 'Bruno Lima', 'Carla Dias', 'Diego Alves']) {
      expect(screen.getByRole('button', { name: `Sign in as ${name}` })).toBeTruthy();
    }
  });
});
