import { CONTRACT_VERSION, SERVER_EVENT_NAMES } from '@herald/ws-contracts';

export function App() {
  return (
    <main>
      <h1>Herald</h1>
      <p>Contract v{CONTRACT_VERSION}</p>
      <ul>
        {SERVER_EVENT_NAMES.map((name) => (
          <li key={name}>{name}</li>
        ))}
      </ul>
    </main>
  );
}
