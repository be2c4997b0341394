import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';

/**
 * The credential chain of the deployed functions, bundled in place of `@aws-sdk/credential-provider-node`
 * (an esbuild alias in `CATALOGUE_BUNDLING`). Lambda hands a function its role's credentials in the
 * environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), and runtimes that
 * serve them over HTTP instead set `AWS_CONTAINER_CREDENTIALS_*`. The SDK's default chain also carries
 * SSO, IAM Identity Center login, profiles, web identity, processes and the EC2 metadata service, with
 * their nested STS/SSO clients: about 130 KB of every bundle that a Lambda function never uses.
 * The local stack and the tests run the source, not the bundle, and keep the SDK's own chain.
 */
type ProviderInit = Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0];
type CredentialProvider = ReturnType<typeof fromEnv>;

export function defaultProvider(init: ProviderInit = {}): CredentialProvider {
  const fromEnvironment = fromEnv(init);
  let fromContainer: CredentialProvider | undefined;
  return async (options) => {
    try {
      return await fromEnvironment(options);
    } catch (environmentError) {
      const served =
        process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI ?? process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI;
      if (!served) throw environmentError;
      fromContainer ??= fromHttp(init);
      return fromContainer(options);
    }
  };
}
