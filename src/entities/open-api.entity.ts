import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TmfApi } from './enums';

/** Activation switch of one TMF Open API; nothing is sent with an inactive API. */
@Entity('open_api')
export class OpenApiEntity {
  @PrimaryColumn({ type: 'text' })
  api: TmfApi;

  @Column({ type: 'boolean', default: false })
  active: boolean;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt: Date | null;
}
