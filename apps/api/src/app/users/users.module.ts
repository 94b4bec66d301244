import { Module } from '@nestjs/common';
import { UserEmailRecorder } from './user-email-recorder';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';

/** What Herald knows of users: addresses from their tokens or a service, time zones. */
@Module({
  controllers: [UsersController],
  providers: [UsersRepository, UserEmailRecorder],
  exports: [UsersRepository],
})
export class UsersModule {}
