import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { OutboundAuthType, TmfApi } from './enums.types';

@ObjectType({
  simpleResolvers: true,
  description: 'A southbound system (network activation, test and diagnostics, ...) that receives outbound requests.',
})
export class ExternalSystem {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => TmfApi)
  api: TmfApi;

  @Field({ description: "Root of the system's TMF API, e.g. http://host:8080/tmf-api/serviceOrdering/v4" })
  baseUrl: string;

  @Field()
  enabled: boolean;

  @Field(() => Int)
  timeoutMs: number;

  @Field(() => Int, { description: 'Sending attempts before an outbound request fails; 1 means no retry.' })
  maxAttempts: number;

  @Field(() => OutboundAuthType)
  authType: OutboundAuthType;

  @Field({ description: 'Path on this server under which the system posts its TMF events, e.g. /callbacks/<id>' })
  callbackPath: string;

  @Field(() => Int, { nullable: true, description: 'Seconds between status polls for systems that send no events; null: no polling.' })
  pollIntervalSeconds: number | null;

  @Field({ description: 'Whether an inbound token is set (the token itself is never returned).' })
  hasInboundToken: boolean;

  @Field({ description: 'A reported milestone of this name (case-insensitive) sets pointOfNoReturn on the orders it names.' })
  pointOfNoReturnMilestone: string;

  @Field(() => String, {
    nullable: true,
    description: "Id of this gateway's listener registration at the system's TMF /hub; null when not registered.",
  })
  hubSubscriptionId: string | null;
}

@InputType({ description: 'Secrets are write-only: no field of any type ever returns them.' })
export class OutboundAuthInput {
  @Field(() => OutboundAuthType)
  type: OutboundAuthType;

  @Field(() => String, { nullable: true })
  username?: string | null;

  @Field(() => String, { nullable: true })
  password?: string | null;

  @Field(() => String, { nullable: true })
  token?: string | null;

  @Field(() => String, { nullable: true })
  tokenUrl?: string | null;

  @Field(() => String, { nullable: true })
  clientId?: string | null;

  @Field(() => String, { nullable: true })
  clientSecret?: string | null;

  @Field(() => String, { nullable: true })
  scope?: string | null;
}

@InputType()
export class ExternalSystemInput {
  @Field()
  name: string;

  @Field(() => TmfApi)
  api: TmfApi;

  @Field()
  baseUrl: string;

  @Field(() => Boolean, { nullable: true })
  enabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  timeoutMs?: number | null;

  @Field(() => Int, { nullable: true })
  maxAttempts?: number | null;

  @Field(() => OutboundAuthInput, { nullable: true })
  auth?: OutboundAuthInput | null;

  @Field(() => String, { nullable: true, description: 'Bearer token the system must present on every callback to this server.' })
  inboundToken?: string | null;

  @Field(() => Int, { nullable: true })
  pollIntervalSeconds?: number | null;

  @Field(() => String, { nullable: true, description: 'Default pointOfNoReturn.' })
  pointOfNoReturnMilestone?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Register this gateway's listener at the system's TMF /hub (POST {baseUrl}/hub); needs PUBLIC_URL.",
  })
  registerHub?: boolean | null;
}
