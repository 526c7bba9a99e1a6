import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Actor, Origin } from '../events/event-catalogue';

@Entity('outbox')
export class OutboxRecord {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'event_id', type: 'uuid', insert: false, update: false })
  eventId: string;

  @Column({ type: 'varchar' })
  type: string;

  @Column({ name: 'schema_version', type: 'smallint' })
  schemaVersion: number;

  @Column({ name: 'aggregate_type', type: 'varchar' })
  aggregateType: string;

  @Column({ name: 'aggregate_id', type: 'uuid' })
  aggregateId: string;

  @Column({ type: 'jsonb' })
  payload: unknown;

  @Column({ type: 'jsonb' })
  actor: Actor;

  @Column({ type: 'jsonb' })
  origin: Origin;

  @Column({ name: 'occurred_at', type: 'timestamptz', insert: false, update: false })
  occurredAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}
