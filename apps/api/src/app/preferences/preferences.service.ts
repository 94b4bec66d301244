import { Inject, Injectable } from '@nestjs/common';
import { WebSocketService } from '@herald/realtime';
import { ServerEvent, type Preferences } from '@herald/ws-contracts';
import { PreferencesRepository } from './preferences.repository';

/**
 * A user's channel preferences: read (defaults when never set) and replaced as a whole.
 * A change is stored, then pushed as `preferences:updated` to every device of the user.
 */
@Injectable()
export class PreferencesService {
  constructor(
    @Inject(PreferencesRepository) private readonly repository: PreferencesRepository,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
  ) {}

  get(userId: string): Promise<Preferences> {
    return this.repository.get(userId);
  }

  async replace(userId: string, preferences: Preferences): Promise<Preferences> {
    await this.repository.put(userId, preferences);
    this.ws.emitToUser(userId, ServerEvent.PreferencesUpdated, preferences);
    return preferences;
  }
}
