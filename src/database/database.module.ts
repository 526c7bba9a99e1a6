import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';
import { startEmbeddedPostgres } from './embedded-postgres';

/**
 * One TypeORM data source over `pg`, pointed either at DATABASE_URL or at the embedded PGlite.
 * Migrations run at start (never `synchronize`). The embedded database is stopped when the data
 * source is destroyed, so `app.close()` leaves nothing running.
 */
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            type: 'postgres',
            autoLoadEntities: true,
            synchronize: false,
            migrationsRun: false,
            migrations: MIGRATIONS,
            extra: { max: config.embeddedDatabase ? 1 : config.DATABASE_POOL_SIZE },
          }),
          dataSourceFactory: async (options) => createDataSource(options as DataSourceOptions, config),
        }),
      ],
    };
  }
}

async function createDataSource(options: DataSourceOptions, config: AppConfig): Promise<DataSource> {
  const logger = new Logger('Database');
  const embedded = config.embeddedDatabase ? await startEmbeddedPostgres(config.DATA_DIR) : undefined;
  const url = embedded?.url ?? config.DATABASE_URL!;
  const dataSource = new DataSource({ ...options, url } as DataSourceOptions);
  try {
    await dataSource.initialize();
    const ran = await runMigrationsExclusively(dataSource, !embedded);
    if (ran.length) logger.log(`applied ${ran.length} migration(s): ${ran.map((m) => m.name).join(', ')}`);
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw err;
  }
  if (embedded) {
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      await destroy();
      await embedded.stop();
    };
    logger.log(`embedded PostgreSQL (PGlite) at ${config.DATA_DIR}`);
  }
  return dataSource;
}

/**
 * API and worker processes may start together against one database: an advisory lock makes the
 * second wait for the first's migrations instead of racing it. (Embedded mode has one process and a
 * single connection, which the lock would hold hostage, so it skips the lock.)
 */
async function runMigrationsExclusively(dataSource: DataSource, lock: boolean) {
  if (!lock) return dataSource.runMigrations({ transaction: 'each' });
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(7240001)');
    return await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(7240001)').catch(() => undefined);
    await runner.release();
  }
}
