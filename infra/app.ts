import { buildApp } from './build-app.ts';

// The CLI entry (cdk.json "app"): cdk-nag AwsSolutions checks run as a validation plugin during synth.
buildApp().app.synth();
