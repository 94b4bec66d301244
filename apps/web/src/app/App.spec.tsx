import { render, screen } from '@testing-library/react';
import { App } from './App';

describe('App', () => {
  it('shows the contract version it was built against', () => {
    render(<App />);
    expect(screen.getByText(/Contract v1\./)).toBeTruthy();
  });
});
