import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-docs';
import { apiContext, CurrentPrincipal, Principal } from '../identity/principal';
import { CommentRecord } from './comments.repository';
import { CommentsService } from './comments.service';
import { CommentPage, CommentResponse, CreateCommentDto, ListCommentsQuery, UpdateCommentDto } from './dto/comment.dto';

const TICKET_PARAM = { name: 'idOrNumber', description: 'Ticket UUID or number', example: 'TKT-42' };
const toResponse = ({ externalRef: _ref, ...c }: CommentRecord): CommentResponse => c;
const editor = (p: Principal) => ({ userId: p.userId, isAdmin: p.role === 'admin' });

@ApiTags('comments')
@Controller('api/v1/tickets/:idOrNumber/comments')
export class CommentsController {
  constructor(private readonly comments: CommentsService) {}

  @Post()
  @ApiOperation({ summary: 'Comment on a ticket' })
  @ApiParam(TICKET_PARAM)
  @ApiCreatedResponse({ type: CommentResponse })
  @ApiErrors(400, 404)
  async create(@Param('idOrNumber') ticket: string, @Body() dto: CreateCommentDto, @CurrentPrincipal() p: Principal): Promise<CommentResponse> {
    const { comment } = await this.comments.create(ticket, { ...dto, authorId: p.userId, source: 'api' }, apiContext(p));
    return toResponse(comment);
  }

  @Get()
  @ApiOperation({ summary: 'List comments, oldest first' })
  @ApiParam(TICKET_PARAM)
  @ApiOkResponse({ type: CommentPage })
  @ApiErrors(400, 404)
  async list(@Param('idOrNumber') ticket: string, @Query() q: ListCommentsQuery): Promise<CommentPage> {
    const page = await this.comments.list(ticket, q.limit, q.includeDeleted ?? false, q.cursor);
    return { items: page.items.map(toResponse), nextCursor: page.nextCursor };
  }

  @Get(':commentId')
  @ApiOperation({ summary: 'Get one comment' })
  @ApiParam(TICKET_PARAM)
  @ApiOkResponse({ type: CommentResponse })
  @ApiErrors(400, 404)
  async get(@Param('idOrNumber') ticket: string, @Param('commentId') id: string): Promise<CommentResponse> {
    return toResponse(await this.comments.get(ticket, id));
  }

  @Patch(':commentId')
  @ApiOperation({ summary: 'Edit a comment (its author or an admin)' })
  @ApiParam(TICKET_PARAM)
  @ApiOkResponse({ type: CommentResponse })
  @ApiErrors(400, 403, 404)
  async update(@Param('idOrNumber') ticket: string, @Param('commentId') id: string, @Body() dto: UpdateCommentDto, @CurrentPrincipal() p: Principal): Promise<CommentResponse> {
    return toResponse(await this.comments.update(ticket, id, dto, editor(p), apiContext(p)));
  }

  @Delete(':commentId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a comment (soft: it keeps `deletedAt`)' })
  @ApiParam(TICKET_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 403, 404)
  async delete(@Param('idOrNumber') ticket: string, @Param('commentId') id: string, @CurrentPrincipal() p: Principal): Promise<void> {
    await this.comments.delete(ticket, id, editor(p), apiContext(p));
  }
}
