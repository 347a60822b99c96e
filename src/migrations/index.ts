import * as migration_20261126_134104_initial from './20261126_134104_initial';
import * as migration_20261126_153355_audio_processing from './20261126_153355_audio_processing';
import * as migration_20261126_161854_transcriptions_of_segments from './20261126_161854_transcriptions_of_segments';
import * as migration_20261126_165528_site_contribution from './20261126_165528_site_contribution';
import * as migration_20261126_170121_consensus from './20261126_170121_consensus';
import * as migration_20261126_170511_site_settings from './20261126_170511_site_settings';
import * as migration_20261126_174121_merge_schemas from './20261126_174121_merge_schemas';
import * as migration_20261129_082913_trust_and_consent from './20261129_082913_trust_and_consent';
import * as migration_20261129_083146_export_plugin from './20261129_083146_export_plugin';
import * as migration_20261129_084129_withdrawals_and_takeouts from './20261129_084129_withdrawals_and_takeouts';
import * as migration_20261129_085359_merge_trust_export from './20261129_085359_merge_trust_export';
import * as migration_20261129_085953_reviewer_reopens from './20261129_085953_reviewer_reopens';
import * as migration_20261129_090307_curation from './20261129_090307_curation';
import * as migration_20261129_102331_merge_curation from './20261129_102331_merge_curation';
import * as migration_20261129_112756_sentence_list_sort_text from './20261129_112756_sentence_list_sort_text';
import * as migration_20261129_113101_export_plan_rows from './20261129_113101_export_plan_rows';
import * as migration_20261129_113938_backups from './20261129_113938_backups';
import * as migration_20261129_130155_merge_export_backups from './20261129_130155_merge_export_backups';
import * as migration_20261129_143908_media_storage_fields from './20261129_143908_media_storage_fields';
import * as migration_20261129_145926_drop_recordings_status from './20261129_145926_drop_recordings_status';
import * as migration_20261129_151200_dashboard_rollup from './20261129_151200_dashboard_rollup';
import * as migration_20261129_152000_merge_media_dashboard from './20261129_152000_merge_media_dashboard';
import * as migration_20261129_155513_merge_contribution from './20261129_155513_merge_contribution';
import * as migration_20261129_174655_contributor_profiles from './20261129_174655_contributor_profiles';
import * as migration_20261129_174952_email_verification_invitations from './20261129_174952_email_verification_invitations';
import * as migration_20261129_175551_admin_notifications from './20261129_175551_admin_notifications';
import * as migration_20261129_184141_merge_goals_email from './20261129_184141_merge_goals_email';

export const migrations = [
  {
    up: migration_20261126_134104_initial.up,
    down: migration_20261126_134104_initial.down,
    name: '20261126_134104_initial',
  },
  {
    up: migration_20261126_153355_audio_processing.up,
    down: migration_20261126_153355_audio_processing.down,
    name: '20261126_153355_audio_processing',
  },
  {
    up: migration_20261126_161854_transcriptions_of_segments.up,
    down: migration_20261126_161854_transcriptions_of_segments.down,
    name: '20261126_161854_transcriptions_of_segments',
  },
  {
    up: migration_20261126_165528_site_contribution.up,
    down: migration_20261126_165528_site_contribution.down,
    name: '20261126_165528_site_contribution',
  },
  {
    up: migration_20261126_170121_consensus.up,
    down: migration_20261126_170121_consensus.down,
    name: '20261126_170121_consensus',
  },
  {
    up: migration_20261126_170511_site_settings.up,
    down: migration_20261126_170511_site_settings.down,
    name: '20261126_170511_site_settings',
  },
  {
    up: migration_20261126_174121_merge_schemas.up,
    down: migration_20261126_174121_merge_schemas.down,
    name: '20261126_174121_merge_schemas',
  },
  {
    up: migration_20261129_082913_trust_and_consent.up,
    down: migration_20261129_082913_trust_and_consent.down,
    name: '20261129_082913_trust_and_consent',
  },
  {
    up: migration_20261129_083146_export_plugin.up,
    down: migration_20261129_083146_export_plugin.down,
    name: '20261129_083146_export_plugin',
  },
  {
    up: migration_20261129_084129_withdrawals_and_takeouts.up,
    down: migration_20261129_084129_withdrawals_and_takeouts.down,
    name: '20261129_084129_withdrawals_and_takeouts',
  },
  {
    up: migration_20261129_085359_merge_trust_export.up,
    down: migration_20261129_085359_merge_trust_export.down,
    name: '20261129_085359_merge_trust_export',
  },
  {
    up: migration_20261129_085953_reviewer_reopens.up,
    down: migration_20261129_085953_reviewer_reopens.down,
    name: '20261129_085953_reviewer_reopens',
  },
  {
    up: migration_20261129_090307_curation.up,
    down: migration_20261129_090307_curation.down,
    name: '20261129_090307_curation',
  },
  {
    up: migration_20261129_102331_merge_curation.up,
    down: migration_20261129_102331_merge_curation.down,
    name: '20261129_102331_merge_curation',
  },
  {
    up: migration_20261129_112756_sentence_list_sort_text.up,
    down: migration_20261129_112756_sentence_list_sort_text.down,
    name: '20261129_112756_sentence_list_sort_text',
  },
  {
    up: migration_20261129_113101_export_plan_rows.up,
    down: migration_20261129_113101_export_plan_rows.down,
    name: '20261129_113101_export_plan_rows',
  },
  {
    up: migration_20261129_113938_backups.up,
    down: migration_20261129_113938_backups.down,
    name: '20261129_113938_backups',
  },
  {
    up: migration_20261129_130155_merge_export_backups.up,
    down: migration_20261129_130155_merge_export_backups.down,
    name: '20261129_130155_merge_export_backups',
  },
  {
    up: migration_20261129_143908_media_storage_fields.up,
    down: migration_20261129_143908_media_storage_fields.down,
    name: '20261129_143908_media_storage_fields',
  },
  {
    up: migration_20261129_145926_drop_recordings_status.up,
    down: migration_20261129_145926_drop_recordings_status.down,
    name: '20261129_145926_drop_recordings_status',
  },
  {
    up: migration_20261129_151200_dashboard_rollup.up,
    down: migration_20261129_151200_dashboard_rollup.down,
    name: '20261129_151200_dashboard_rollup',
  },
  {
    up: migration_20261129_152000_merge_media_dashboard.up,
    down: migration_20261129_152000_merge_media_dashboard.down,
    name: '20261129_152000_merge_media_dashboard',
  },
  {
    up: migration_20261129_155513_merge_contribution.up,
    down: migration_20261129_155513_merge_contribution.down,
    name: '20261129_155513_merge_contribution',
  },
  {
    up: migration_20261129_174655_contributor_profiles.up,
    down: migration_20261129_174655_contributor_profiles.down,
    name: '20261129_174655_contributor_profiles',
  },
  {
    up: migration_20261129_174952_email_verification_invitations.up,
    down: migration_20261129_174952_email_verification_invitations.down,
    name: '20261129_174952_email_verification_invitations',
  },
  {
    up: migration_20261129_175551_admin_notifications.up,
    down: migration_20261129_175551_admin_notifications.down,
    name: '20261129_175551_admin_notifications',
  },
  {
    up: migration_20261129_184141_merge_goals_email.up,
    down: migration_20261129_184141_merge_goals_email.down,
    name: '20261129_184141_merge_goals_email'
  },
];
