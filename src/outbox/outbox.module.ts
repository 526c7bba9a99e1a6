import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxRecord } from './outbox.entity';
import { OutboxService } from './outbox.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([OutboxRecord])],
  providers: [OutboxService],
  exports: [OutboxService],
})
export class OutboxModule {}
