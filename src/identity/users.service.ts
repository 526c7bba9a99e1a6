import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { decodeCursor, encodeCursor, Page } from '../common/cursor';
import { conflict, fieldError, notFound } from '../common/errors';
import { AuthService } from './auth.service';
import { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { User } from './user.entity';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly auth: AuthService,
  ) {}

  async create(dto: CreateUserDto): Promise<User> {
    await this.assertEmailFree(dto.email);
    return this.users.save(this.users.create({ ...dto, email: dto.email.toLowerCase(), active: true }));
  }

  async list(limit: number, cursor?: string): Promise<Page<User>> {
    const qb = this.users.createQueryBuilder('u').orderBy('u.created_at', 'ASC').addOrderBy('u.id', 'ASC').limit(limit + 1);
    if (cursor) {
      const [at, id] = decodeCursor(cursor, 2);
      qb.where('(u.created_at, u.id) > (:at, :id)', { at, id });
    }
    const rows = await qb.getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
  }

  async get(id: string): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user) throw notFound('User', id);
    return user;
  }

  /** For references in other modules' input: a missing user is a 400 naming the field. */
  async requireActive(id: string, field: string): Promise<User> {
    const user = await this.users.findOneBy({ id });
    if (!user || !user.active) throw fieldError(field, `${field} does not name an active user`);
    return user;
  }

  async update(id: string, dto: UpdateUserDto): Promise<User> {
    const user = await this.get(id);
    if (dto.email && dto.email.toLowerCase() !== user.email) await this.assertEmailFree(dto.email);
    Object.assign(user, dto, dto.email ? { email: dto.email.toLowerCase() } : {});
    const saved = await this.users.save(user);
    this.auth.invalidate();
    return saved;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  private async assertEmailFree(email: string) {
    if (await this.findByEmail(email)) throw conflict(`A user with email ${email} already exists`, { field: 'email' });
  }
}
